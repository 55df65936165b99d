

string_lookup"stable
wordsBfoxBunicorn