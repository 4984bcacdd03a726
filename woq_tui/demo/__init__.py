"""Demo data: the generator and the live simulator. No UI."""
