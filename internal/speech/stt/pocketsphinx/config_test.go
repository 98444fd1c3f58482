package pocketsphinx

import (
	"slices"
	"testing"
)

func TestSearchArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg  Config
		want []string
	}{
		{Config{}, nil},
		{Config{MaxHMMsPerFrame: 3000, MaxWordsPerFrame: 5}, []string{"-maxhmmpf", "3000", "-maxwpf", "5"}},
		{Config{MaxHMMsPerFrame: -1, MaxWordsPerFrame: 20}, []string{"-maxwpf", "20"}},
	}
	for _, tt := range tests {
		if got := tt.cfg.searchArgs(); !slices.Equal(got, tt.want) {
			t.Errorf("%+v.searchArgs() = %q, want %q", tt.cfg, got, tt.want)
		}
	}
}
