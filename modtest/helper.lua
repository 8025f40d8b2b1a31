return { value = 41 }
