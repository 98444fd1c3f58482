package gmc

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Feature names an optional part of gmc that a host can switch off for
// the whole instance (GMC_FEATURES_OFF) and a GM for one campaign
// (CampaignSettings.DisabledFeatures), each at run time.
type Feature string

// The optional features.
const (
	// FeatureAudio: live audio sockets and recording uploads.
	FeatureAudio Feature = "audio"
	// FeatureAI: the generators (NPCs, locations, encounters, plot hooks).
	FeatureAI Feature = "ai"
	// FeatureDiscord: posting recaps to Discord.
	FeatureDiscord Feature = "discord"
	// FeatureDndBeyondSync: the periodic re-import of linked characters.
	FeatureDndBeyondSync Feature = "dndbeyond_sync"
	// FeaturePublicSignup: anyone may create an account (instance only).
	FeaturePublicSignup Feature = "public_signup"
)

// Features lists every feature; CampaignFeatures those a campaign can
// switch off for itself.
var (
	Features         = []Feature{FeatureAudio, FeatureAI, FeatureDiscord, FeatureDndBeyondSync, FeaturePublicSignup}
	CampaignFeatures = []Feature{FeatureAudio, FeatureAI, FeatureDiscord, FeatureDndBeyondSync}
)

// ErrFeatureDisabled: the request needs a feature that is switched off.
var ErrFeatureDisabled = errors.New("feature disabled")

// FeatureOff is the error for a request that needs f where it is off;
// scope says where: "on this server" or "in this campaign".
func FeatureOff(f Feature, scope string) error {
	return Errorf(ErrFeatureDisabled, "feature_disabled", "the feature %q is switched off %s", f, scope)
}

// ParseFeatures reads a comma-separated list of feature names.
func ParseFeatures(s string) ([]Feature, error) {
	var out []Feature
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !slices.Contains(Features, Feature(f)) {
			return nil, fmt.Errorf("%q is not a feature (one of %s)", f, featureNames(Features))
		}
		out = append(out, Feature(f))
	}
	return out, nil
}

func featureNames(fs []Feature) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// ParseFeatureList reads the features a file lists (GMC_FEATURES_FILE):
// words separated by commas, spaces or lines, # starting a comment to the
// end of its line. An unknown word is an error naming it and its line.
func ParseFeatureList(text string) ([]Feature, error) {
	var out []Feature
	for i, line := range strings.Split(text, "\n") {
		line, _, _ = strings.Cut(line, "#")
		for _, w := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
			f := Feature(w)
			if !slices.Contains(Features, f) {
				return nil, fmt.Errorf("line %d: %q is not a feature (one of %s)", i+1, w, featureNames(Features))
			}
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out, nil
}
