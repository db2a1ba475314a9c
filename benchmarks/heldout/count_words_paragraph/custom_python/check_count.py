import re
from pathlib import Path

text = Path('word_count.txt').read_text()
numbers = re.findall(r"-?\d+(?:[.,]\d+)?", text)
assert len(numbers) == 1 and float(numbers[0].replace(",", ".")) == 49, \
    f"expected only the number 49 in word_count.txt, found {numbers}"
for word in []:
    assert word.lower() not in text.lower(), f"word_count.txt contains {word!r}"
print('word count ok')
