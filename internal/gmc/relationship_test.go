package gmc

import (
	"errors"
	"testing"
)

func TestValidKind(t *testing.T) {
	for kind, want := range map[string]bool{
		"ally": true, "member_of": true, "sworn_enemy2": true, "x": true,
		"": false, "Ally": false, "best friend": false, "_ally": false, "2nd": false, "ally-ish": false, "ünder": false,
		"abcdefghijabcdefghijabcdefghijab": true, "abcdefghijabcdefghijabcdefghijabc": false,
	} {
		if got := ValidKind(kind); got != want {
			t.Errorf("ValidKind(%q) = %v, want %v", kind, got, want)
		}
	}
}

func TestRelationshipValidate(t *testing.T) {
	tests := []struct {
		name     string
		r        Relationship
		location string
	}{
		{"valid", Relationship{SourceID: "a", TargetID: "b", Kind: "ally", Attitude: -100, Visibility: VisibleGM}, ""},
		{"attitude high", Relationship{SourceID: "a", TargetID: "b", Kind: "ally", Attitude: 101, Visibility: VisibleGM}, "body.attitude"},
		{"self", Relationship{SourceID: "a", TargetID: "a", Kind: "ally", Visibility: VisibleGM}, "body.target_id"},
		{"bad kind", Relationship{SourceID: "a", TargetID: "b", Kind: "Ally", Visibility: VisibleGM}, "body.kind"},
		{"bad visibility", Relationship{SourceID: "a", TargetID: "b", Kind: "ally"}, "body.visibility"},
	}
	for _, tc := range tests {
		err := tc.r.Validate()
		var ve *ValidationError
		switch {
		case tc.location == "" && err != nil:
			t.Errorf("%s: Validate = %v, want nil", tc.name, err)
		case tc.location != "" && (!errors.As(err, &ve) || ve.Fields[0].Location != tc.location):
			t.Errorf("%s: Validate = %v, want a problem with %s", tc.name, err, tc.location)
		}
	}
}
