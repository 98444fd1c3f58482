package gmc

import "testing"

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{"  Ada@Example.COM ", "ada@example.com"},
		{"\uff55\uff4e\uff49@example.test", "uni@example.test"},            // full-width letters
		{"u\u0301ni@example.test", "\u00fani@example.test"},                // decomposed accent
		{"\u00daNI@EXAMPLE.TEST", "\u00fani@example.test"},                 // precomposed capital
		{"\uff35\u0301ni\uff20example.test", "\u00fani@example.test"},      // full-width capital, decomposed, full-width @
		{"Stra\u00dfe@example.de", "strasse@example.de"},                   // folding, not lower-casing
		{"\u212bngstr\u00f6m@example.se", "\u00e5ngstr\u00f6m@example.se"}, // the Ångström sign
		{"\u3000gm@example.com\u3000", "gm@example.com"},                   // ideographic spaces
		{"\ufb01le@example.com", "file@example.com"},                       // the fi ligature
	}
	for _, tc := range tests {
		if got := NormalizeEmail(tc.in); got != tc.want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if again := NormalizeEmail(tc.want); again != tc.want {
			t.Errorf("NormalizeEmail(%q) = %q, want it unchanged (idempotent)", tc.want, again)
		}
	}
}
