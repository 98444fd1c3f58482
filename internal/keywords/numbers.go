package keywords

import "strconv"

// numberValue reads one number word or numeral: "seven", "twenty", "15".
func numberValue(w string) (int, bool) {
	switch w {
	case "zero":
		return 0, true
	case "one", "won":
		return 1, true
	case "two":
		return 2, true
	case "three":
		return 3, true
	case "four":
		return 4, true
	case "five":
		return 5, true
	case "six":
		return 6, true
	case "seven":
		return 7, true
	case "eight":
		return 8, true
	case "nine":
		return 9, true
	case "ten":
		return 10, true
	case "eleven":
		return 11, true
	case "twelve":
		return 12, true
	case "thirteen":
		return 13, true
	case "fourteen":
		return 14, true
	case "fifteen":
		return 15, true
	case "sixteen":
		return 16, true
	case "seventeen":
		return 17, true
	case "eighteen":
		return 18, true
	case "nineteen":
		return 19, true
	}
	if t, ok := tensValue(w); ok {
		return t, true
	}
	if n, err := strconv.Atoi(w); err == nil && n >= 0 && len(w) <= 6 {
		return n, true
	}
	return 0, false
}

func tensValue(w string) (int, bool) {
	switch w {
	case "twenty":
		return 20, true
	case "thirty":
		return 30, true
	case "forty", "fourty":
		return 40, true
	case "fifty":
		return 50, true
	case "sixty":
		return 60, true
	case "seventy":
		return 70, true
	case "eighty":
		return 80, true
	case "ninety":
		return 90, true
	}
	return 0, false
}

// readNumber reads the spoken number that starts at words[i] ("twenty
// one", "one hundred and five", "12") and returns its value and how many
// words it used; n is 0 when there is none.
func readNumber(words []string, i int) (value, n int) {
	if i >= len(words) {
		return 0, 0
	}
	v, ok := numberValue(words[i])
	if !ok {
		return 0, 0
	}
	n = 1
	if _, tens := tensValue(words[i]); tens && i+1 < len(words) {
		if u, ok := numberValue(words[i+1]); ok && u > 0 && u < 10 {
			v += u
			n++
		}
	}
	if i+n < len(words) && words[i+n] == "hundred" && v < 10 {
		v *= 100
		n++
		k := i + n
		if k < len(words) && words[k] == "and" {
			k++
		}
		if r, m := readNumber(words, k); m > 0 && r < 100 {
			v += r
			n = k + m - i
		}
	}
	return v, n
}
