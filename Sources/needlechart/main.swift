print("needlechart")
