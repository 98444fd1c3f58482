package diarbench

import (
	"fmt"
	"os"

	"github.com/gmc-project/gmc/internal/speech/audio"
)

// readWAV reads a recording as the product does (any format, rate and
// channel count the speech audio package decodes), as mono samples at
// speech.SampleRate.
func readWAV(path string) ([]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	clip, err := audio.DecodeSpeech(f, audio.Limits{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return clip.Samples, nil
}
