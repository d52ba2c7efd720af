package mapi

import "time"

func makeSlice(base PropType, vals []any) any {
	switch base {
	case PtShort:
		return conv[int16](vals)
	case PtLong:
		return conv[int32](vals)
	case PtDouble:
		return conv[float64](vals)
	case PtI8:
		return conv[int64](vals)
	case PtString8, PtUnicode:
		return conv[string](vals)
	case PtSysTime:
		return conv[time.Time](vals)
	case PtCLSID:
		return conv[GUID](vals)
	case PtBinary:
		return conv[[]byte](vals)
	}
	return vals
}

func conv[T any](vals []any) []T {
	out := make([]T, len(vals))
	for i, v := range vals {
		out[i] = v.(T)
	}
	return out
}

func sliceItems(v any) []any {
	switch x := v.(type) {
	case []int16:
		return items(x)
	case []int32:
		return items(x)
	case []float64:
		return items(x)
	case []int64:
		return items(x)
	case []string:
		return items(x)
	case []time.Time:
		return items(x)
	case []GUID:
		return items(x)
	case [][]byte:
		return items(x)
	}
	return nil
}

func items[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
