package audio_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/audio"
)

// TestG711 checks the decoders against values of the G.711 tables.
func TestG711(t *testing.T) {
	for _, tc := range []struct {
		law  string
		code byte
		want int
	}{
		{"u", 0x80, 32124}, {"u", 0x00, -32124}, {"u", 0xFF, 0}, {"u", 0x7F, 0}, {"u", 0xFE, 8}, {"u", 0xEF, 132},
		{"a", 0xD5, 8}, {"a", 0x55, -8}, {"a", 0xAA, 32256}, {"a", 0x2A, -32256}, {"a", 0xC5, 264},
	} {
		got := audio.ULaw(tc.code)
		if tc.law == "a" {
			got = audio.ALaw(tc.code)
		}
		if got != tc.want {
			t.Errorf("%s-law 0x%02X = %d, want %d", tc.law, tc.code, got, tc.want)
		}
	}
}

// tone is seconds of a sine of freq Hz at amplitude amp (1: full scale),
// sampled at rate.
func tone(freq, amp float64, rate int, seconds float64) []float64 {
	out := make([]float64, int(seconds*float64(rate)))
	for i := range out {
		out[i] = amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))
	}
	return out
}

// wav writes samples (the same in every channel) as a WAV file of the
// given encoding: "pcm8", "pcm16", "pcm24", "float", "ulaw", "alaw".
func wav(samples []float64, rate, channels int, enc string) []byte {
	tag, bits := 1, 16
	switch enc {
	case "pcm8":
		bits = 8
	case "pcm24":
		bits = 24
	case "float":
		tag, bits = 3, 32
	case "ulaw":
		tag, bits = 7, 8
	case "alaw":
		tag, bits = 6, 8
	}
	var data bytes.Buffer
	for _, v := range samples {
		for range channels {
			switch enc {
			case "pcm8":
				data.WriteByte(byte(max(0, min(255, math.Round(v*128+128)))))
			case "pcm16":
				_ = binary.Write(&data, binary.LittleEndian, int16(max(-32768, min(32767, math.Round(v*32767)))))
			case "pcm24":
				s := int32(max(-(1 << 23), min(1<<23-1, math.Round(v*(1<<23-1)))))
				data.Write([]byte{byte(s), byte(s >> 8), byte(s >> 16)})
			case "float":
				_ = binary.Write(&data, binary.LittleEndian, float32(v))
			case "ulaw", "alaw":
				data.WriteByte(nearestCode(enc, v*32768))
			}
		}
	}
	return wavBytes(tag, channels, rate, bits, data.Bytes())
}

func wavBytes(tag, channels, rate, bits int, data []byte) []byte {
	var b bytes.Buffer
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	w(uint32(36 + len(data)))
	b.WriteString("WAVEfmt ")
	w(uint32(16))
	w(uint16(tag))
	w(uint16(channels))
	w(uint32(rate))
	w(uint32(rate * channels * bits / 8))
	w(uint16(channels * bits / 8))
	w(uint16(bits))
	b.WriteString("data")
	w(uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

// nearestCode is the G.711 code whose value is nearest v: an encoder that
// relies on nothing but the decoder the tests check against the tables.
func nearestCode(law string, v float64) byte {
	codes := g711Codes[law]
	i := sort.Search(len(codes), func(i int) bool { return codes[i].value >= v })
	switch {
	case i == len(codes):
		i--
	case i > 0 && v-codes[i-1].value < codes[i].value-v:
		i--
	}
	return codes[i].code
}

type g711Code struct {
	value float64
	code  byte
}

// g711Codes are every code of each law by the value it decodes to.
var g711Codes = func() map[string][]g711Code {
	m := map[string][]g711Code{}
	for c := range 256 {
		m["ulaw"] = append(m["ulaw"], g711Code{float64(audio.ULaw(byte(c))), byte(c)})
		m["alaw"] = append(m["alaw"], g711Code{float64(audio.ALaw(byte(c))), byte(c)})
	}
	for _, codes := range m {
		sort.Slice(codes, func(i, j int) bool { return codes[i].value < codes[j].value })
	}
	return m
}()

// readWAV checks an output file's header (16-bit mono PCM at rate) and
// returns its samples.
func readWAV(t *testing.T, f []byte, rate int) []float64 {
	t.Helper()
	if len(f) < 44 || string(f[:4]) != "RIFF" || string(f[8:16]) != "WAVEfmt " || string(f[36:40]) != "data" {
		t.Fatalf("not a canonical WAV file: % x", f[:min(len(f), 44)])
	}
	le16 := func(o int) int { return int(binary.LittleEndian.Uint16(f[o:])) }
	le32 := func(o int) int { return int(binary.LittleEndian.Uint32(f[o:])) }
	if le16(20) != 1 || le16(22) != 1 || le32(24) != rate || le32(28) != rate*2 || le16(34) != 16 || le32(40) != len(f)-44 || le32(4) != len(f)-8 {
		t.Fatalf("header: format %d channels %d rate %d bits %d data %d of %d", le16(20), le16(22), le32(24), le16(34), le32(40), len(f)-44)
	}
	out := make([]float64, (len(f)-44)/2)
	for i := range out {
		out[i] = float64(int16(binary.LittleEndian.Uint16(f[44+2*i:]))) / 32768
	}
	return out
}

func rms(s []float64) float64 {
	sum := 0.0
	for _, v := range s {
		sum += v * v
	}
	return math.Sqrt(sum / float64(len(s)))
}

// toneShare is the share of s's energy at freq (Goertzel over a whole
// number of periods in the middle of s).
func toneShare(s []float64, freq float64, rate int) float64 {
	mid := s[len(s)/4 : len(s)*3/4]
	var re, im, total float64
	for i, v := range mid {
		ph := 2 * math.Pi * freq * float64(i) / float64(rate)
		re += v * math.Cos(ph)
		im += v * math.Sin(ph)
		total += v * v
	}
	return 2 * (re*re + im*im) / float64(len(mid)) / total
}

// TestConvert converts a 440 Hz tone in every accepted form and checks
// the duration, both outputs' headers and length, that the tone is still
// a clean 440 Hz tone and that its level is kept.
func TestConvert(t *testing.T) {
	const seconds, amp = 2.0, 0.5
	type input struct {
		name     string
		data     []byte
		format   audio.Format
		rate     int
		channels int
		bits     int
		tol      time.Duration
		levelTol float64
	}
	inputs := []input{
		{"pcm16 44.1k stereo", wav(tone(440, amp, 44100, seconds), 44100, 2, "pcm16"), audio.FormatWAVPCM, 44100, 2, 16, time.Millisecond, 0.03},
		{"pcm8 22.05k mono", wav(tone(440, amp, 22050, seconds), 22050, 1, "pcm8"), audio.FormatWAVPCM, 22050, 1, 8, time.Millisecond, 0.05},
		{"pcm24 48k mono", wav(tone(440, amp, 48000, seconds), 48000, 1, "pcm24"), audio.FormatWAVPCM, 48000, 1, 24, time.Millisecond, 0.03},
		{"float 32k mono", wav(tone(440, amp, 32000, seconds), 32000, 1, "float"), audio.FormatWAVPCM, 32000, 1, 32, time.Millisecond, 0.03},
		{"pcm16 11.025k mono", wav(tone(440, amp, 11025, seconds), 11025, 1, "pcm16"), audio.FormatWAVPCM, 11025, 1, 16, time.Millisecond, 0.03},
		{"ulaw 8k mono", wav(tone(440, amp, 8000, seconds), 8000, 1, "ulaw"), audio.FormatWAVULaw, 8000, 1, 8, time.Millisecond, 0.05},
		{"alaw 8k stereo", wav(tone(440, amp, 8000, seconds), 8000, 2, "alaw"), audio.FormatWAVALaw, 8000, 2, 8, time.Millisecond, 0.05},
	}
	for _, m := range []struct {
		name     string
		channels int
		args     []string
	}{
		{"mp3 44.1k mono", 1, []string{"-m", "m", "-b", "64"}},
		{"mp3 44.1k stereo", 2, []string{"-m", "s", "-b", "128"}},
		{"mp3 with an ID3v2 tag", 1, []string{"-m", "m", "-b", "64", "--id3v2-only", "--tt", "Welcome to Acme", "--ta", "Reception"}},
	} {
		src := wav(tone(440, amp, 44100, seconds), 44100, m.channels, "pcm16")
		inputs = append(inputs, input{m.name, lameEncode(t, src, m.args...), audio.FormatMP3, 44100, m.channels, 16, 100 * time.Millisecond, 0.1})
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			c, err := audio.Convert(in.data, audio.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if c.Format != in.format || c.SampleRate != in.rate || c.Channels != in.channels || c.BitsPerSample != in.bits {
				t.Errorf("read as %s %d Hz %d channels %d bits", c.Format, c.SampleRate, c.Channels, c.BitsPerSample)
			}
			if d := c.Duration - time.Duration(seconds*float64(time.Second)); d < -in.tol || d > in.tol {
				t.Errorf("duration %s, want %gs", c.Duration, seconds)
			}
			for _, out := range []struct {
				file []byte
				rate int
			}{{c.Narrowband, 8000}, {c.Wideband, 16000}} {
				s := readWAV(t, out.file, out.rate)
				if want := int(c.Duration.Seconds() * float64(out.rate)); len(s) < want-1 || len(s) > want+1 {
					t.Errorf("%d Hz: %d samples, want %d", out.rate, len(s), want)
				}
				if share := toneShare(s, 440, out.rate); share < 0.98 {
					t.Errorf("%d Hz: only %.3f of the energy is the 440 Hz tone", out.rate, share)
				}
				if got, want := rms(s[len(s)/4:len(s)*3/4]), amp/math.Sqrt2; math.Abs(got-want) > in.levelTol*want {
					t.Errorf("%d Hz: level %.4f, want %.4f", out.rate, got, want)
				}
			}
		})
	}
}

// TestResamplerBandLimits: what the new rate cannot carry is removed, not
// folded back; what it can is kept.
func TestResamplerBandLimits(t *testing.T) {
	for _, tc := range []struct {
		freq     float64
		from, to int
		kept     bool
	}{
		{3000, 44100, 8000, true},
		{3400, 48000, 8000, true},
		{6000, 44100, 8000, false}, // would alias to 2 kHz
		{4500, 16000, 8000, false}, // would alias to 3.5 kHz
		{7000, 44100, 16000, true},
		{12000, 44100, 16000, false}, // would alias to 4 kHz
		{1000, 8000, 16000, true},
	} {
		in := tone(tc.freq, 0.5, tc.from, 1)
		out := audio.Resample(in, tc.from, tc.to)
		level := rms(out[len(out)/4:len(out)*3/4]) / (0.5 / math.Sqrt2)
		if tc.kept && (level < 0.97 || level > 1.03) {
			t.Errorf("%g Hz %d→%d: level %.3f of the input, want it kept", tc.freq, tc.from, tc.to, level)
		}
		if !tc.kept && level > 0.001 {
			t.Errorf("%g Hz %d→%d: %.1f dB left, want it removed (below -60 dB)", tc.freq, tc.from, tc.to, 20*math.Log10(level))
		}
	}
}

// TestRefusals: each refusal says why, specifically.
func TestRefusals(t *testing.T) {
	noise := make([]byte, 4096)
	rand.New(rand.NewSource(1)).Read(noise)
	clipped := tone(440, 1.6, 8000, 1)
	for i := range clipped {
		clipped[i] = max(-1, min(1, clipped[i]))
	}
	sixChannels := wavBytes(1, 6, 8000, 16, make([]byte, 8000*12))
	adpcm := wavBytes(0x11, 1, 8000, 4, make([]byte, 4000))
	for _, tc := range []struct {
		name   string
		data   []byte
		opt    audio.Options
		reason audio.Reason
		says   string
	}{
		{"empty", nil, audio.Options{}, audio.ReasonNotAudio, "empty"},
		{"random bytes", noise, audio.Options{}, audio.ReasonNotAudio, "not audio"},
		{"ogg", append([]byte("OggS"), noise...), audio.Options{}, audio.ReasonNotAudio, "Ogg"},
		{"flac", append([]byte("fLaC"), noise...), audio.Options{}, audio.ReasonNotAudio, "FLAC"},
		{"png", append([]byte("\x89PNG\r\n\x1a\n"), noise...), audio.Options{}, audio.ReasonNotAudio, "image"},
		{"wav without data", wavBytes(1, 1, 8000, 16, nil)[:36], audio.Options{}, audio.ReasonNotAudio, "no sound"},
		{"wav of no samples", wavBytes(1, 1, 8000, 16, nil), audio.Options{}, audio.ReasonNotAudio, "no sound samples"},
		{"wav ima adpcm", adpcm, audio.Options{}, audio.ReasonNotAudio, "IMA ADPCM"},
		{"wav 6 channels", sixChannels, audio.Options{}, audio.ReasonNotAudio, "6 channels"},
		{"too large", make([]byte, 2048), audio.Options{MaxBytes: 1024}, audio.ReasonTooLong, "at most 1 KiB"},
		{"too long", wav(tone(440, 0.5, 8000, 601), 8000, 1, "ulaw"), audio.Options{}, audio.ReasonTooLong, "10m1s long; at most 10m0s"},
		{"too long for the option", wav(tone(440, 0.5, 8000, 3), 8000, 1, "pcm16"), audio.Options{MaxDuration: 2 * time.Second}, audio.ReasonTooLong, "3s long"},
		{"digital silence", wav(make([]float64, 8000), 8000, 1, "pcm16"), audio.Options{}, audio.ReasonSilent, "silent"},
		{"-60 dBFS hum", wav(tone(50, 0.001, 8000, 1), 8000, 1, "pcm16"), audio.Options{}, audio.ReasonSilent, "-60 dBFS"},
		{"clipped", wav(clipped, 8000, 1, "pcm16"), audio.Options{}, audio.ReasonClipped, "clipped"},
		{"clipped mu-law", wav(clipped, 8000, 1, "ulaw"), audio.Options{}, audio.ReasonClipped, "clipped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := audio.Convert(tc.data, tc.opt)
			if audio.ReasonOf(err) != tc.reason || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("err = %v (%s), want %s saying %q", err, audio.ReasonOf(err), tc.reason, tc.says)
			}
		})
	}
	mp3 := lameEncode(t, wav(tone(440, 0.5, 44100, 3), 44100, 1, "pcm16"), "-m", "m", "-b", "64")
	if _, err := audio.Convert(mp3, audio.Options{MaxDuration: 2 * time.Second}); audio.ReasonOf(err) != audio.ReasonTooLong {
		t.Errorf("3 s MP3 with a 2 s limit: %v", err)
	}
	if _, err := audio.Convert(mp3[:len(mp3)/2], audio.Options{}); err != nil {
		t.Errorf("the first half of an MP3 (a cut download still plays): %v", err)
	}
}

// TestAccepts: what must not be refused: a full-scale tone that touches
// full scale without being cut off, a quiet but audible recording, a WAV
// whose writer left the data size unset.
func TestAccepts(t *testing.T) {
	unsized := wav(tone(440, 0.5, 8000, 1), 8000, 1, "pcm16")
	binary.LittleEndian.PutUint32(unsized[40:], 0xFFFFFFFF)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"full-scale tone", wav(tone(440, 1, 8000, 1), 8000, 1, "pcm16")},
		{"full-scale mu-law tone", wav(tone(440, 1, 8000, 1), 8000, 1, "ulaw")},
		{"-40 dBFS speech level", wav(tone(300, 0.01, 8000, 1), 8000, 1, "pcm16")},
		{"unsized data chunk", unsized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if c, err := audio.Convert(tc.data, audio.Options{}); err != nil || c.Duration != time.Second {
				t.Errorf("refused: %v (duration %s)", err, c.Duration)
			}
		})
	}
}

// lameEncode encodes a WAV file to MP3 with the lame command (a Debian
// package .ci/run installs): the tests make their MP3s rather than keep
// binary fixtures. Without lame the MP3 cases are skipped, and fail in CI.
func lameEncode(t *testing.T, wavData []byte, args ...string) []byte {
	t.Helper()
	bin, err := exec.LookPath("lame")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("lame is not installed: CI must encode the MP3 test files (apt-get install lame, see .ci/run)")
		}
		t.Skip("lame is not installed: MP3 cases skipped (apt-get install lame)")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.wav"), filepath.Join(dir, "out.mp3")
	if err := os.WriteFile(in, wavData, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append(append([]string{"--quiet", "--noreplaygain"}, args...), in, out)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("lame: %v\n%s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkConvert converts a minute of 44.1 kHz stereo PCM (a typical
// music-on-hold file) to both telephony forms.
//
//	go test ./internal/audio/ -run '^$' -bench Convert -benchtime 3x
func BenchmarkConvert(b *testing.B) {
	data := wav(tone(440, 0.5, 44100, 60), 44100, 2, "pcm16")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := audio.Convert(data, audio.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
