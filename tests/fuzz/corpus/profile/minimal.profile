[profile]
name=x
