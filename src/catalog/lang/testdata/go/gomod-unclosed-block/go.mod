module example.com/unclosed

require (
	github.com/ok/one v1.0.0
