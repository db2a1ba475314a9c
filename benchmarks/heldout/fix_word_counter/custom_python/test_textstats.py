from textstats import count_words

assert count_words("one two three") == 3, count_words("one two three")
assert count_words("one  two\nthree") == 3, count_words("one  two\nthree")
assert count_words("  padded  ") == 1, count_words("  padded  ")
assert count_words("") == 0, count_words("")
print("textstats ok")
