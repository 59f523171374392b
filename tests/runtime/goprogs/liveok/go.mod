module liveok

go 1.26
