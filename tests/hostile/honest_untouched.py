# attack: none: the release handed in with no work done
# expect: 0
# base: untouched
