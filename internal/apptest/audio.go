package apptest

import (
	"bytes"
	"encoding/binary"
	"math"
)

// ToneWAV is a second of a 440 Hz tone as 8 kHz 16-bit mono WAV: a real
// recording for the tests that upload one (docs/audio.md).
func ToneWAV() []byte {
	var b bytes.Buffer
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	const rate, n = 8000, 8000
	b.WriteString("RIFF")
	w(uint32(36 + 2*n))
	b.WriteString("WAVEfmt ")
	w(uint32(16))
	w(uint16(1)) // PCM
	w(uint16(1)) // mono
	w(uint32(rate))
	w(uint32(rate * 2))
	w(uint16(2))
	w(uint16(16))
	b.WriteString("data")
	w(uint32(2 * n))
	for i := range n {
		w(int16(12000 * math.Sin(2*math.Pi*440*float64(i)/rate)))
	}
	return b.Bytes()
}
