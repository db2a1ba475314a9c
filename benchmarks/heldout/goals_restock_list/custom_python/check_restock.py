from pathlib import Path

assert Path("stock.csv").read_text() == 'item,in_stock\nscrews,120\nnails,40\nwashers,15\nbolts,60\nhinges,4\n', "stock.csv was changed"
assert Path("minimums.csv").read_text() == 'item,minimum\nscrews,100\nnails,50\nwashers,20\nbolts,50\nhinges,5\n', "minimums.csv was changed"
print("inputs untouched")
text = Path("restock.txt").read_text().lower()
for item in ("nails", "washers", "hinges"):
    assert item in text, f"{item} is missing from restock.txt"
for item in ("screws", "bolts"):
    assert item not in text, f"{item} is not below its minimum"
print("restock list ok")
