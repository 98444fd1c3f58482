package gmc

import "testing"

func TestIsID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"019a2b3c-4d5e-7f60-8a9b-0c1d2e3f4a5b", true},
		{"019A2B3C-4D5E-7F60-8A9B-0C1D2E3F4A5B", false}, // gmc writes lower case
		{"019a2b3c4d5e7f608a9b0c1d2e3f4a5b", false},
		{"019a2b3c-4d5e-7f60-8a9b-0c1d2e3f4a5", false},
		{"019a2b3c-4d5e-7f60-8a9b_0c1d2e3f4a5b", false},
		{"not-a-uuid", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := IsID(tc.in); got != tc.want {
			t.Errorf("IsID(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
