package audio

import (
	"encoding/binary"
	"math"
	"testing"
)

func TestPCM16LE(t *testing.T) {
	t.Parallel()
	want := []float32{0, 0.5, -0.5, -1, 32767.0 / 32768, 1.0 / 32768}
	stream := make([]byte, 0, 2*len(want))
	for _, v := range want {
		stream = binary.LittleEndian.AppendUint16(stream, uint16(int16(v*32768)))
	}
	// Every way of cutting the stream in two, odd cuts included, must give
	// the same samples.
	for cut := range len(stream) + 1 {
		var d PCM16LE
		got := d.Append(nil, stream[:cut])
		if d.Pending() != (cut%2 == 1) {
			t.Errorf("cut at %d: Pending() = %v", cut, d.Pending())
		}
		got = d.Append(got, nil)
		got = d.Append(got, stream[cut:])
		if d.Pending() || len(got) != len(want) {
			t.Fatalf("cut at %d: %d samples, pending %v; want %d, false", cut, len(got), d.Pending(), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("cut at %d: sample %d = %v, want %v", cut, i, got[i], want[i])
			}
		}
	}
}

// TestLive streams stereo 48 kHz PCM16LE in messages of awkward sizes (odd
// bytes, half frames) and wants what decoding the whole as a file gives.
func TestLive(t *testing.T) {
	t.Parallel()
	const rate, channels = 48000, 2
	samples := interleave(tone(rate, rate, 700, 0.6), channels)
	pcm := make([]byte, 0, 2*len(samples))
	for _, v := range samples {
		pcm = binary.LittleEndian.AppendUint16(pcm, uint16(int16(math.Round(float64(v)*32767))))
	}
	clip, err := DecodeSpeech(bytesReader(wavFile(wavSpec{tag: wavPCM, bits: 16, channels: channels, rate: rate}, pcm)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewLive(rate, channels, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var got []float32
	sizes := []int{1, 3, 2, 7, 640, 4095, 1}
	for i, rest := 0, pcm; len(rest) > 0; i++ {
		n := min(sizes[i%len(sizes)], len(rest))
		got = l.Append(got, rest[:n])
		rest = rest[n:]
	}
	got = l.Flush(got)
	if len(got) != len(clip.Samples) {
		t.Fatalf("Live gave %d samples, DecodeSpeech %d", len(got), len(clip.Samples))
	}
	for i := range got {
		if math.Abs(float64(got[i]-clip.Samples[i])) > 1e-6 {
			t.Fatalf("sample %d: Live %v, DecodeSpeech %v", i, got[i], clip.Samples[i])
		}
	}
}

func TestNewLiveRejectsBadFormats(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ rate, channels int }{{0, 1}, {16000, 0}, {16000, 99}, {10_000_000, 1}} {
		if _, err := NewLive(tc.rate, tc.channels, Limits{}); !isAudioError(err) {
			t.Errorf("NewLive(%d, %d) = %v, want an audio error", tc.rate, tc.channels, err)
		}
	}
}
