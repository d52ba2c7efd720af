package secure

import (
	"errors"
	"strings"
)

// bech32Decode decodes a Bech32 string (BIP 173, without its 90-character
// limit, as age uses it) into its human-readable part, as written, and its
// data bytes. Like age it refuses mixed case, a bad checksum and non-zero
// or over-long padding. age keeps its codec internal; x25519_test.go checks
// this one against age's parser on the same inputs.
func bech32Decode(s string) (hrp string, data []byte, err error) {
	if strings.ToLower(s) != s && strings.ToUpper(s) != s {
		return "", nil, errors.New("mixed case")
	}
	pos := strings.LastIndexByte(s, '1')
	if pos < 1 || pos+7 > len(s) {
		return "", nil, errors.New("separator '1' at invalid position")
	}
	hrp = s[:pos]
	for i := 0; i < len(hrp); i++ {
		if hrp[i] < 33 || hrp[i] > 126 {
			return "", nil, errors.New("invalid character in human-readable part")
		}
	}
	values := make([]byte, 0, len(s)-pos-1)
	for i := pos + 1; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		d := strings.IndexByte(bech32Charset, c)
		if d < 0 {
			return "", nil, errors.New("invalid character in data part")
		}
		values = append(values, byte(d))
	}
	if bech32Polymod(hrp, values) != 1 {
		return "", nil, errors.New("invalid checksum")
	}
	data, err = bech32Regroup(values[:len(values)-6])
	return hrp, data, err
}

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// bech32Polymod is the BCH checksum over the expanded (lower-cased)
// human-readable part and the 5-bit values; 1 means valid.
func bech32Polymod(hrp string, values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	step := func(v byte) {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := range gen {
			if top>>i&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	lower := strings.ToLower(hrp)
	for i := 0; i < len(lower); i++ {
		step(lower[i] >> 5)
	}
	step(0)
	for i := 0; i < len(lower); i++ {
		step(lower[i] & 31)
	}
	for _, v := range values {
		step(v)
	}
	return chk
}

// bech32Regroup turns 5-bit values into bytes; the leftover bits must be
// fewer than five and zero.
func bech32Regroup(values []byte) ([]byte, error) {
	out := make([]byte, 0, len(values)*5/8)
	var acc uint32
	var bits uint
	for _, v := range values {
		acc = acc<<5 | uint32(v)
		bits += 5
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
		}
	}
	if bits >= 5 {
		return nil, errors.New("illegal zero padding")
	}
	if acc<<(8-bits)&0xff != 0 {
		return nil, errors.New("non-zero padding")
	}
	return out, nil
}
