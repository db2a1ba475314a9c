import re
from pathlib import Path

text = Path('open_items.txt').read_text()
numbers = re.findall(r"-?\d+(?:[.,]\d+)?", text)
assert len(numbers) == 1 and float(numbers[0].replace(",", ".")) == 6, \
    f"expected only the number 6 in open_items.txt, found {numbers}"
for word in []:
    assert word.lower() not in text.lower(), f"open_items.txt contains {word!r}"
print('open count ok')
