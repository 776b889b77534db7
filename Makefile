.PHONY: demo test
demo:
	./dev demo
test:
	./dev test
