module livebroken

go 1.26
