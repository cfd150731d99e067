// The device client library (issue 6).
