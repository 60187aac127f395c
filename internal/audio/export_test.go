package audio

// ULaw and ALaw expose the G.711 decoders to the tests.
var (
	ULaw = ulaw
	ALaw = alaw
)
