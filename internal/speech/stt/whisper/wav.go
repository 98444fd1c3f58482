package whisper

import (
	"encoding/binary"
	"math"
)

// WAV encodes samples in [-1, 1] as a 16 kHz mono 16-bit PCM WAV file,
// the one format every Whisper server reads without ffmpeg.
func WAV(samples []float32) []byte {
	const rate, bits, channels = 16000, 16, 1
	data := len(samples) * 2
	b := make([]byte, 44+data)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+data))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], channels)
	binary.LittleEndian.PutUint32(b[24:], rate)
	binary.LittleEndian.PutUint32(b[28:], rate*channels*bits/8)
	binary.LittleEndian.PutUint16(b[32:], channels*bits/8)
	binary.LittleEndian.PutUint16(b[34:], bits)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(data))
	for i, s := range samples {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(PCM16(s)))
	}
	return b
}

// PCM16 converts one sample in [-1, 1] to 16-bit PCM, clipping what is
// outside and reading NaN as silence.
func PCM16(s float32) int16 {
	if s != s {
		return 0
	}
	return int16(math.Round(float64(min(max(s, -1), 1)) * math.MaxInt16))
}
