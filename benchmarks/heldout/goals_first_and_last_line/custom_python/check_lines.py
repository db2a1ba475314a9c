from pathlib import Path

assert Path("poem.txt").read_text() == 'The fog comes\non little cat feet.\nIt sits looking\nover harbor and city\non silent haunches\nand then moves on.\n', "poem.txt was changed"
print("poem untouched")
first = Path("first_line.txt").read_text().strip()
assert first == "The fog comes", f"first_line.txt holds {first!r}"
print("first line ok")
last = Path("last_line.txt").read_text().strip()
assert last == "and then moves on.", f"last_line.txt holds {last!r}"
print("last line ok")
