package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"time"

	"github.com/hajimehoshi/go-mp3"
)

// looksLikeMP3 is an ID3 tag or an MPEG audio Layer III frame header at
// the start.
func looksLikeMP3(data []byte) bool {
	if bytes.HasPrefix(data, []byte("ID3")) {
		return true
	}
	return len(data) >= 4 && data[0] == 0xFF && data[1]&0xE0 == 0xE0 && (data[1]>>1)&3 == 1
}

// decodeMP3 decodes an MP3 file with go-mp3, which gives 16-bit stereo
// (a mono file's channel twice) at the file's sample rate.
func decodeMP3(data []byte, maxDuration time.Duration) (decoded, error) {
	dec, err := mp3.NewDecoder(bytes.NewReader(data))
	if err != nil {
		return decoded{}, refuse(ReasonNotAudio, "the MP3 file could not be decoded (%v): export it again, or upload WAV", err)
	}
	rate := dec.SampleRate()
	if rate <= 0 {
		return decoded{}, refuse(ReasonNotAudio, "the MP3 file has no valid sample rate")
	}
	if n := dec.Length(); n > 0 {
		if d := time.Duration(float64(n/4) / float64(rate) * float64(time.Second)); d > maxDuration {
			return decoded{}, refuse(ReasonTooLong, "the recording is %s long; at most %s is accepted", d.Round(time.Second), maxDuration)
		}
	}
	pcm, err := io.ReadAll(dec)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return decoded{}, refuse(ReasonNotAudio, "the MP3 file is damaged (%v): export it again, or upload WAV", err)
	}
	frames := len(pcm) / 4
	out := decoded{format: FormatMP3, rate: rate, bits: 16, channels: make([][]float64, 2), fullScale: make([][]bool, 2)}
	for ch := range 2 {
		out.channels[ch] = make([]float64, frames)
		out.fullScale[ch] = make([]bool, frames)
	}
	for i := range frames {
		for ch := range 2 {
			s := int16(binary.LittleEndian.Uint16(pcm[i*4+ch*2:]))
			out.channels[ch][i] = float64(s) / 32768
			out.fullScale[ch][i] = s == math.MaxInt16 || s == math.MinInt16
		}
	}
	if mp3Mono(data) {
		// go-mp3 gives a mono file's channel twice.
		out.channels, out.fullScale = out.channels[:1], out.fullScale[:1]
	}
	return out, nil
}

// mp3Mono reads the channel mode of the first Layer III frame header
// (after an ID3v2 tag): 3 is single channel.
func mp3Mono(data []byte) bool {
	i := 0
	if len(data) >= 10 && string(data[:3]) == "ID3" {
		// The tag's size is four 7-bit bytes, after a 10-byte header.
		i = 10 + (int(data[6]&0x7F)<<21 | int(data[7]&0x7F)<<14 | int(data[8]&0x7F)<<7 | int(data[9]&0x7F))
		if i >= 10 && data[5]&0x10 != 0 {
			i += 10 // a footer
		}
	}
	for ; i+4 <= len(data); i++ {
		if data[i] == 0xFF && data[i+1]&0xE0 == 0xE0 && (data[i+1]>>1)&3 == 1 {
			return data[i+3]>>6 == 3
		}
	}
	return false
}
