import re
from pathlib import Path

text = Path('cost.txt').read_text()
numbers = re.findall(r"-?\d+(?:[.,]\d+)?", text)
assert len(numbers) == 1 and float(numbers[0].replace(",", ".")) == 15.2, \
    f"expected only the number 15.2 in cost.txt, found {numbers}"
for word in []:
    assert word.lower() not in text.lower(), f"cost.txt contains {word!r}"
print('cost ok')
