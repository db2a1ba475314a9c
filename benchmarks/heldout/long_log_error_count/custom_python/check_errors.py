import re
from pathlib import Path

text = Path('errors.txt').read_text()
numbers = re.findall(r"-?\d+(?:[.,]\d+)?", text)
assert len(numbers) == 1 and float(numbers[0].replace(",", ".")) == 23, \
    f"expected only the number 23 in errors.txt, found {numbers}"
for word in []:
    assert word.lower() not in text.lower(), f"errors.txt contains {word!r}"
print('error count ok')
