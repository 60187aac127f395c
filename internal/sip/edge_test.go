package sip_test

import (
	"reflect"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/sip"
	"github.com/switchboard-voice/switchboard/internal/sip/digest"
)

func TestParseListen(t *testing.T) {
	tests := []struct {
		in   string
		want []sip.Listen
		err  bool
	}{
		{"127.0.0.1:5060", []sip.Listen{{"udp", "127.0.0.1:5060"}, {"tcp", "127.0.0.1:5060"}}, false},
		{"udp:0.0.0.0:5060, tls:0.0.0.0:5061", []sip.Listen{{"udp", "0.0.0.0:5060"}, {"tls", "0.0.0.0:5061"}}, false},
		{"TCP:[::1]:5060", []sip.Listen{{"tcp", "[::1]:5060"}}, false},
		{"", nil, false},
		{"5060", nil, true},
		{"sctp:127.0.0.1:5060", nil, true},
	}
	for _, tt := range tests {
		got, err := sip.ParseListen(tt.in)
		if (err != nil) != tt.err || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseListen(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func TestParseAlgorithms(t *testing.T) {
	got, err := sip.ParseAlgorithms("sha-256, MD5")
	if err != nil || !reflect.DeepEqual(got, []digest.Algorithm{digest.SHA256, digest.MD5}) {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"", "SHA-512", "MD5-sess"} {
		if _, err := sip.ParseAlgorithms(bad); err == nil {
			t.Errorf("ParseAlgorithms(%q) accepted", bad)
		}
	}
}
