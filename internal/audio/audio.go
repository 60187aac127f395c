// Package audio turns the recordings people upload for greetings,
// announcements and music on hold into the telephony forms the platform
// stores: 16-bit mono WAV at 8 kHz (narrowband: G.711 calls) and at 16 kHz
// (wideband: G.722), with the recording's duration (docs/audio.md).
//
// It accepts WAV (PCM 8 or 16 bit, G.711 µ-law or A-law, any sample rate,
// mono or stereo) and MP3 (decoded with github.com/hajimehoshi/go-mp3), and
// refuses anything else with a specific reason: not audio (or an encoding
// it does not take), too long, silent, clipped. It knows nothing of the
// features that use the audio.
package audio

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"time"
)

// The telephony sample rates every accepted recording is converted to.
const (
	NarrowbandRate = 8000
	WidebandRate   = 16000
)

// Defaults of Options.
const (
	DefaultMaxDuration = 10 * time.Minute
	DefaultMaxBytes    = 64 << 20
)

// Options bound what Convert accepts; zero values take the defaults.
type Options struct {
	// MaxDuration is the longest recording accepted.
	MaxDuration time.Duration
	// MaxBytes is the largest file accepted.
	MaxBytes int
}

// Format is what an accepted file was.
type Format string

// The accepted formats.
const (
	FormatWAVPCM  Format = "wav-pcm"
	FormatWAVULaw Format = "wav-ulaw"
	FormatWAVALaw Format = "wav-alaw"
	FormatMP3     Format = "mp3"
)

// Clip is an accepted recording in its telephony forms.
type Clip struct {
	Format        Format
	SampleRate    int // of the upload
	Channels      int // of the upload
	BitsPerSample int // of the upload's samples (16 for MP3, 8 for G.711)
	Duration      time.Duration
	// Narrowband and Wideband are complete WAV files: 16-bit PCM, mono,
	// 8 kHz and 16 kHz.
	Narrowband []byte
	Wideband   []byte
}

// Reason says why a file was refused.
type Reason string

// The reasons a file is refused.
const (
	ReasonNotAudio Reason = "not_audio"
	ReasonTooLong  Reason = "too_long"
	ReasonSilent   Reason = "silent"
	ReasonClipped  Reason = "clipped"
)

// RefusedError is a file Convert does not accept, with the reason and a
// sentence the uploader can act on.
type RefusedError struct {
	Reason Reason
	Detail string
}

func (e *RefusedError) Error() string { return e.Detail }

func refuse(r Reason, format string, args ...any) error {
	return &RefusedError{Reason: r, Detail: fmt.Sprintf(format, args...)}
}

// ReasonOf is the reason err refused a file, or "" when err is not a refusal.
func ReasonOf(err error) Reason {
	var r *RefusedError
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

// decoded is a recording as floating-point samples in [-1, 1], one slice
// per channel, and how many of its samples sat at the format's full scale
// (the decoders know where that is: the code with the largest magnitude).
type decoded struct {
	format   Format
	rate     int
	bits     int
	channels [][]float64
	// fullScale marks, per channel, the samples at full scale.
	fullScale [][]bool
}

// Convert checks data and returns it in the telephony forms.
func Convert(data []byte, opt Options) (Clip, error) {
	if opt.MaxDuration <= 0 {
		opt.MaxDuration = DefaultMaxDuration
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	if len(data) > opt.MaxBytes {
		return Clip{}, refuse(ReasonTooLong, "the file is %s; at most %s is accepted", size(len(data)), size(opt.MaxBytes))
	}
	var d decoded
	var err error
	switch {
	case len(data) == 0:
		return Clip{}, refuse(ReasonNotAudio, "the file is empty")
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WAVE":
		d, err = decodeWAV(data, opt.MaxDuration)
	case looksLikeMP3(data):
		d, err = decodeMP3(data, opt.MaxDuration)
	default:
		return Clip{}, refuse(ReasonNotAudio, "%s", whatIsIt(data))
	}
	if err != nil {
		return Clip{}, err
	}
	n := len(d.channels[0])
	if n == 0 {
		return Clip{}, refuse(ReasonNotAudio, "the file holds no sound samples")
	}
	duration := time.Duration(float64(n) / float64(d.rate) * float64(time.Second))
	if duration > opt.MaxDuration {
		return Clip{}, refuse(ReasonTooLong, "the recording is %s long; at most %s is accepted", duration.Round(time.Second), opt.MaxDuration)
	}
	if err := checkLevel(d); err != nil {
		return Clip{}, err
	}
	mono := mixDown(d.channels)
	c := Clip{Format: d.format, SampleRate: d.rate, Channels: len(d.channels), BitsPerSample: d.bits, Duration: duration}
	c.Narrowband = wavFile(Resample(mono, d.rate, NarrowbandRate), NarrowbandRate)
	c.Wideband = wavFile(Resample(mono, d.rate, WidebandRate), WidebandRate)
	return c, nil
}

// Level limits (docs/audio.md, "Refusals").
const (
	// silentPeak: a recording whose loudest sample is below -50 dBFS is
	// silence (or a microphone that was off) to a caller.
	silentPeak = 0.00316
	// clipRun is how many consecutive full-scale samples of one sign mark
	// clipping (a loud but clean recording touches full scale at single
	// samples), and clipShare the share of all samples in such runs above
	// which a recording is refused as clipped (1 in 1,000).
	clipRun   = 3
	clipShare = 0.001
)

func checkLevel(d decoded) error {
	peak := 0.0
	total, clipped := 0, 0
	for ch, samples := range d.channels {
		full := d.fullScale[ch]
		run := 0
		for i, v := range samples {
			if a := math.Abs(v); a > peak {
				peak = a
			}
			if full[i] && (run == 0 || (v > 0) == (samples[i-1] > 0)) {
				run++
				if run == clipRun {
					clipped += clipRun
				} else if run > clipRun {
					clipped++
				}
			} else if full[i] {
				run = 1
			} else {
				run = 0
			}
		}
		total += len(samples)
	}
	if peak < silentPeak {
		return refuse(ReasonSilent, "the recording is silent: its loudest moment is %.0f dBFS (below %.0f dBFS); check the microphone was on", dbfs(peak), dbfs(silentPeak))
	}
	if share := float64(clipped) / float64(total); share > clipShare {
		return refuse(ReasonClipped, "the recording is clipped: %.1f%% of it is cut off at full scale (distorted); record it again less loud", share*100)
	}
	return nil
}

func dbfs(v float64) float64 {
	if v <= 0 {
		return math.Inf(-1)
	}
	return 20 * math.Log10(v)
}

// mixDown averages the channels into one.
func mixDown(channels [][]float64) []float64 {
	if len(channels) == 1 {
		return channels[0]
	}
	out := make([]float64, len(channels[0]))
	for _, ch := range channels {
		for i, v := range ch {
			out[i] += v
		}
	}
	for i := range out {
		out[i] /= float64(len(channels))
	}
	return out
}

// wavFile is samples as a 16-bit PCM mono WAV file at rate.
func wavFile(samples []float64, rate int) []byte {
	var b bytes.Buffer
	dataLen := len(samples) * 2
	b.Grow(44 + dataLen)
	le32 := func(v int) { b.Write([]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}) }
	le16 := func(v int) { b.Write([]byte{byte(v), byte(v >> 8)}) }
	b.WriteString("RIFF")
	le32(36 + dataLen)
	b.WriteString("WAVEfmt ")
	le32(16)
	le16(1) // PCM
	le16(1) // mono
	le32(rate)
	le32(rate * 2)
	le16(2)
	le16(16)
	b.WriteString("data")
	le32(dataLen)
	for _, v := range samples {
		s := int(math.Round(v * 32767))
		s = max(-32768, min(32767, s))
		le16(s)
	}
	return b.Bytes()
}

func size(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// whatIsIt names a file that is neither WAV nor MP3, as specifically as
// its first bytes allow.
func whatIsIt(data []byte) string {
	starts := func(s string) bool { return bytes.HasPrefix(data, []byte(s)) }
	switch {
	case starts("OggS"):
		return "Ogg (Vorbis or Opus) audio is not accepted: convert it to WAV or MP3"
	case starts("fLaC"):
		return "FLAC audio is not accepted: convert it to WAV or MP3"
	case len(data) >= 12 && string(data[4:8]) == "ftyp":
		return "MP4/M4A (AAC) audio is not accepted: convert it to WAV or MP3"
	case starts("FORM") && len(data) >= 12 && (string(data[8:12]) == "AIFF" || string(data[8:12]) == "AIFC"):
		return "AIFF audio is not accepted: convert it to WAV or MP3"
	case starts("RIFF"):
		return "the file is a RIFF file but not WAV audio"
	case starts("%PDF"), starts("\x89PNG"), starts("\xff\xd8\xff"), starts("PK\x03\x04"), starts("GIF8"):
		return "the file is not audio (a document, image or archive): upload a WAV or MP3 recording"
	}
	return "the file is not audio this platform reads: upload a WAV (PCM or G.711) or MP3 recording"
}
