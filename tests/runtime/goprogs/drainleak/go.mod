module drainleak

go 1.26
