package testenv

import "encoding/binary"

// WAV wraps 16 kHz mono 16-bit PCM in a WAV header: the audio tests make
// speech with flite or espeak-ng, or silence, as raw PCM and upload or
// stream it as a file.
func WAV(pcm []byte) []byte {
	var h [44]byte
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+len(pcm)))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)    // fmt chunk size
	binary.LittleEndian.PutUint16(h[20:], 1)     // PCM
	binary.LittleEndian.PutUint16(h[22:], 1)     // mono
	binary.LittleEndian.PutUint32(h[24:], 16000) // samples per second
	binary.LittleEndian.PutUint32(h[28:], 32000) // bytes per second
	binary.LittleEndian.PutUint16(h[32:], 2)     // bytes per frame
	binary.LittleEndian.PutUint16(h[34:], 16)    // bits per sample
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(len(pcm)))
	return append(h[:], pcm...)
}
