package gmc

import (
	"slices"
	"strings"
	"testing"
)

func TestParseFeatureList(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text    string
		want    []Feature
		badWord string
	}{
		{"", nil, ""},
		{"# nothing is off\n\n", nil, ""},
		{"ai", []Feature{FeatureAI}, ""},
		{"ai, audio\ndiscord\tpublic_signup # the rest\n", []Feature{FeatureAI, FeatureAudio, FeatureDiscord, FeaturePublicSignup}, ""},
		{"ai\nai,ai", []Feature{FeatureAI}, ""},
		{"ai\n# fine\nAI\n", nil, `line 3: "AI"`},
		{"audio, speech", nil, `line 1: "speech"`},
	} {
		got, err := ParseFeatureList(tc.text)
		if tc.badWord != "" {
			if err == nil || !strings.Contains(err.Error(), tc.badWord) {
				t.Errorf("%q: err = %v, want one naming %s", tc.text, err, tc.badWord)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%q = %v, %v; want %v", tc.text, got, err, tc.want)
		}
	}
}
