import re
from pathlib import Path

text = Path('five_stars.txt').read_text()
numbers = re.findall(r"-?\d+(?:[.,]\d+)?", text)
assert len(numbers) == 1 and float(numbers[0].replace(",", ".")) == 3, \
    f"expected only the number 3 in five_stars.txt, found {numbers}"
for word in ['APPROVED']:
    assert word.lower() not in text.lower(), f"five_stars.txt contains {word!r}"
print('five-star count ok')
