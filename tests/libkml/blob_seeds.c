// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Write the self-test's valid blobs to DIR: the fuzzer's seed corpus. */
#include <stdio.h>

#include <kml/selftest.h>

int main(int argc, char **argv)
{
	char path[4096];
	FILE *f;
	u32 i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (i = 0; i < KML_ST_MODELS; i++) {
		snprintf(path, sizeof(path), "%s/%s.blob", argv[1],
			 kml_st.model[i].name);
		f = fopen(path, "wb");
		if (!f || fwrite(kml_st.model[i].blob, 1, kml_st.model[i].len,
				 f) != kml_st.model[i].len || fclose(f)) {
			perror(path);
			return 1;
		}
	}
	return 0;
}
