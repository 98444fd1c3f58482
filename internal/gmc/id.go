package gmc

// IsID reports whether s is an id as gmc writes them: a lower-case,
// hyphenated UUID. Callers use it where a malformed id must read as "no
// such object" on every backend (PostgreSQL would refuse to parse it where
// SQLite just compares text).
func IsID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
				return false
			}
		}
	}
	return true
}
