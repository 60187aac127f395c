package audio

import (
	"encoding/binary"
	"math"
	"time"
)

// WAV format tags (the fmt chunk's first field).
const (
	tagPCM        = 0x0001
	tagFloat      = 0x0003
	tagALaw       = 0x0006
	tagULaw       = 0x0007
	tagExtensible = 0xFFFE
)

// otherTags are encodings met in WAV files that are not taken, by name, so
// the refusal says what the file is.
var otherTags = map[uint16]string{
	0x0002: "Microsoft ADPCM", 0x0011: "IMA ADPCM", 0x0031: "GSM 6.10", 0x0040: "G.721 ADPCM",
	0x0050: "MPEG", 0x0055: "MP3", 0x0064: "G.726 ADPCM", 0x0065: "G.722 ADPCM", 0x00FF: "AAC",
}

// decodeWAV reads a RIFF WAVE file: its fmt and data chunks, the samples
// per channel.
func decodeWAV(data []byte, maxDuration time.Duration) (decoded, error) {
	var (
		haveFmt             bool
		tag, channels, bits uint16
		rate                uint32
		samples             []byte
		haveData            bool
	)
	for off := 12; off+8 <= len(data); {
		id := string(data[off : off+4])
		n := int(binary.LittleEndian.Uint32(data[off+4 : off+8]))
		body := data[off+8:]
		if n < 0 || n > len(body) {
			// A writer that could not seek back leaves the size wrong
			// (0 or 0xFFFFFFFF); the rest of the file is the chunk.
			n = len(body)
		}
		body = body[:n]
		switch id {
		case "fmt ":
			if n < 16 {
				return decoded{}, refuse(ReasonNotAudio, "the WAV file's format chunk is damaged")
			}
			tag, channels = binary.LittleEndian.Uint16(body[0:2]), binary.LittleEndian.Uint16(body[2:4])
			rate, bits = binary.LittleEndian.Uint32(body[4:8]), binary.LittleEndian.Uint16(body[14:16])
			if tag == tagExtensible {
				if n < 40 {
					return decoded{}, refuse(ReasonNotAudio, "the WAV file's format chunk is damaged")
				}
				tag = binary.LittleEndian.Uint16(body[24:26]) // the sub-format GUID starts with the tag
			}
			haveFmt = true
		case "data":
			samples, haveData = body, true
		}
		if haveFmt && haveData {
			break
		}
		off += 8 + n + n%2
	}
	if !haveFmt || !haveData {
		return decoded{}, refuse(ReasonNotAudio, "the WAV file has no sound in it (no format or no data chunk)")
	}
	var format Format
	switch {
	case tag == tagPCM && (bits == 8 || bits == 16 || bits == 24 || bits == 32):
		format = FormatWAVPCM
	case tag == tagFloat && bits == 32:
		format = FormatWAVPCM
	case tag == tagULaw && bits == 8:
		format = FormatWAVULaw
	case tag == tagALaw && bits == 8:
		format = FormatWAVALaw
	case tag == tagPCM || tag == tagFloat:
		return decoded{}, refuse(ReasonNotAudio, "%d-bit WAV samples are not accepted: export the recording as 16-bit PCM", bits)
	default:
		name := otherTags[tag]
		if name == "" {
			return decoded{}, refuse(ReasonNotAudio, "this WAV file's encoding (format tag 0x%04X) is not accepted: export it as PCM or G.711 (µ-law or A-law)", tag)
		}
		return decoded{}, refuse(ReasonNotAudio, "WAV files encoded as %s are not accepted: export the recording as PCM or G.711 (µ-law or A-law), or as MP3", name)
	}
	if channels != 1 && channels != 2 {
		return decoded{}, refuse(ReasonNotAudio, "the recording has %d channels; mono or stereo is accepted", channels)
	}
	if rate < 1000 || rate > 384000 {
		return decoded{}, refuse(ReasonNotAudio, "the WAV file says its sample rate is %d Hz, which is not a recording's", rate)
	}
	width := int(bits) / 8
	frame := width * int(channels)
	frames := len(samples) / frame
	if d := time.Duration(float64(frames) / float64(rate) * float64(time.Second)); d > maxDuration {
		return decoded{}, refuse(ReasonTooLong, "the recording is %s long; at most %s is accepted", d.Round(time.Second), maxDuration)
	}
	out := decoded{format: format, rate: int(rate), bits: int(bits), channels: make([][]float64, channels), fullScale: make([][]bool, channels)}
	for ch := range out.channels {
		out.channels[ch] = make([]float64, frames)
		out.fullScale[ch] = make([]bool, frames)
	}
	for i := range frames {
		for ch := range int(channels) {
			p := samples[i*frame+ch*width:]
			var v float64
			var full bool
			switch {
			case format == FormatWAVULaw:
				s := ulaw(p[0])
				v, full = float64(s)/32768, s == 32124 || s == -32124
			case format == FormatWAVALaw:
				s := alaw(p[0])
				v, full = float64(s)/32768, s == 32256 || s == -32256
			case tag == tagFloat:
				f := float64(math.Float32frombits(binary.LittleEndian.Uint32(p)))
				if math.IsNaN(f) {
					f = 0
				}
				full = f >= 1 || f <= -1
				v = max(-1, min(1, f))
			case bits == 8:
				v, full = (float64(p[0])-128)/128, p[0] == 0 || p[0] == 255
			case bits == 16:
				s := int16(binary.LittleEndian.Uint16(p))
				v, full = float64(s)/32768, s == math.MaxInt16 || s == math.MinInt16
			case bits == 24:
				s := int32(uint32(p[0])<<8|uint32(p[1])<<16|uint32(p[2])<<24) >> 8
				v, full = float64(s)/(1<<23), s == 1<<23-1 || s == -1<<23
			default: // 32-bit integer
				s := int32(binary.LittleEndian.Uint32(p))
				v, full = float64(s)/(1<<31), s == math.MaxInt32 || s == math.MinInt32
			}
			out.channels[ch][i], out.fullScale[ch][i] = v, full
		}
	}
	return out, nil
}

// ulaw decodes one G.711 µ-law code to a 16-bit sample (ITU-T G.711: the
// complemented code holds sign, 3-bit segment and 4-bit step; the biased
// magnitude doubles per segment).
func ulaw(code byte) int {
	u := ^code
	segment := int(u>>4) & 7
	step := int(u & 0x0F)
	magnitude := ((step << 3) + 0x84) << segment
	v := magnitude - 0x84
	if u&0x80 != 0 {
		return -v
	}
	return v
}

// alaw decodes one G.711 A-law code to a 16-bit sample (even bits
// inverted; segment 0 is linear, each further segment doubles the step; a
// set sign bit is positive).
func alaw(code byte) int {
	a := code ^ 0x55
	segment := int(a>>4) & 7
	step := int(a & 0x0F)
	var magnitude int
	if segment == 0 {
		magnitude = step<<4 + 8
	} else {
		magnitude = (step<<4 + 0x108) << (segment - 1)
	}
	if a&0x80 != 0 {
		return magnitude
	}
	return -magnitude
}
