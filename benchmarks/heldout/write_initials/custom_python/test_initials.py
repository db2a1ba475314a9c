from names import initials

assert initials("ada lovelace") == "AL", initials("ada lovelace")
assert initials("Grace Brewster Hopper") == "GBH", initials("Grace Brewster Hopper")
assert initials("linus") == "L", initials("linus")
print("initials ok")
