from stats import average

assert average([2, 4, 6]) == 4, average([2, 4, 6])
assert average([5]) == 5, average([5])
assert average([1, 2]) == 1.5, average([1, 2])
print('all checks passed')
