from palindrome import is_palindrome

for word, expected in [('level', True), ('racecar', True), ('python', False), ('a', True), ('ab', False)]:
    assert is_palindrome(word) is expected, (word, is_palindrome(word))
print('palindrome ok')
