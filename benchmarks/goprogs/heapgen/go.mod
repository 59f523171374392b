module heapgen

go 1.26
