/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The model blob: what user space writes and the kernel validates, copies
 * and runs. Little-endian, a fixed 64-byte header then the payload:
 *
 *	s32 mean[n_in], inv_std[n_in]		Q16 standardization
 *	per layer l (n_in_l -> n_out_l):
 *	    s32 bias[n_out_l]			Q16
 *	    weights[n_out_l][n_in_l]		s32 Q16, or s8 padded with
 *						zeros to a multiple of 4 bytes
 *
 * crc32 (zlib's CRC-32) covers the header with crc32 = 0, then the payload.
 */
#ifndef KML_BLOB_H
#define KML_BLOB_H

#include <kml/model.h>

#define KML_BLOB_MAGIC		0x424c4d4bU	/* "KMLB" */
#define KML_BLOB_VERSION	1
#define KML_BLOB_FRAC_BITS	KML_Q16_SHIFT

/* Naturally aligned fields, no padding: 64 bytes (asserted in blob.c). */
struct kml_blob_header {
	u32 magic;
	u16 version;
	u16 header_size;	/* sizeof(struct kml_blob_header) */
	u8 kind;		/* enum kml_model_kind */
	u8 wtype;		/* enum kml_wtype */
	u8 frac_bits;		/* KML_BLOB_FRAC_BITS */
	u8 n_layers;		/* 1 linear, 2..3 MLP */
	u16 dim[KML_MAX_LAYERS + 1];	/* n_in, hidden..., n_out; then 0 */
	u8 hidden_act;		/* enum kml_act; NONE for linear */
	u8 out_act;		/* enum kml_act */
	u16 flags;		/* none defined: 0 */
	u32 model_version;	/* opaque, for the registry and sysfs */
	u32 payload_size;	/* bytes after the header */
	s32 scale_mult[KML_MAX_LAYERS];	/* int8: struct kml_qmul; else 0 */
	s8 scale_shift[KML_MAX_LAYERS];
	u8 reserved0;		/* 0 */
	u32 reserved[3];	/* 0 */
	u32 crc32;
};

/* Distinct codes for every way a blob can be malformed; not errnos. */
enum kml_blob_err {
	KML_BLOB_OK = 0,
	KML_BLOB_ETRUNC = -1,		/* shorter than the header */
	KML_BLOB_EMAGIC = -2,
	KML_BLOB_EVERSION = -3,
	KML_BLOB_EHDRSIZE = -4,
	KML_BLOB_EKIND = -5,
	KML_BLOB_EWTYPE = -6,
	KML_BLOB_EFRAC = -7,
	KML_BLOB_ELAYERS = -8,		/* n_layers wrong for the kind */
	KML_BLOB_EINPUTS = -9,
	KML_BLOB_EHIDDEN = -10,		/* hidden width, or unused dim != 0 */
	KML_BLOB_EOUTPUTS = -11,
	KML_BLOB_EACT = -12,		/* hidden_act */
	KML_BLOB_EOUTACT = -13,
	KML_BLOB_EFLAGS = -14,
	KML_BLOB_EPAYLOAD = -15,	/* payload_size != what dims imply */
	KML_BLOB_ESCALE = -16,		/* scale_mult */
	KML_BLOB_ESHIFT = -17,		/* scale_shift */
	KML_BLOB_ERESERVED = -18,
	KML_BLOB_ELENGTH = -19,		/* length != header + payload */
	KML_BLOB_ECRC = -20,
	KML_BLOB_ESTD = -21,		/* inv_std <= 0 */
	KML_BLOB_EWEIGHT = -22,		/* |Q16 weight| > KML_MAX_WEIGHT */
	KML_BLOB_EPAD = -23,		/* int8 padding not zero */
	KML_BLOB_ENOSPC = -24,		/* model buffer too small */
	KML_BLOB_ERR_MIN = KML_BLOB_ENOSPC,
};

/* Largest valid blob: 16 -> 64 -> 64 -> 4 with Q16 weights. */
#define KML_BLOB_MAX_WORDS						\
	(2 * KML_MAX_FEATURES + 2 * KML_MAX_HIDDEN + KML_MAX_OUTPUTS +	\
	 KML_MAX_FEATURES * KML_MAX_HIDDEN +				\
	 KML_MAX_HIDDEN * KML_MAX_HIDDEN +				\
	 KML_MAX_HIDDEN * KML_MAX_OUTPUTS)
#define KML_BLOB_MAX_SIZE						\
	(sizeof(struct kml_blob_header) + 4 * KML_BLOB_MAX_WORDS)
/* Largest struct kml_model, for callers that allocate once. */
#define KML_MODEL_MAX_SIZE						\
	(sizeof(struct kml_model) + 4 * KML_BLOB_MAX_WORDS)

size_t kml_blob_max_size(void);

/*
 * Validate every field, the length and the CRC. On success return 0 and
 * the bytes a struct kml_model for this blob needs in *model_size.
 */
int kml_blob_check(const void *blob, size_t len, size_t *model_size);

/* Validate as kml_blob_check(), then fill @m (of @size bytes) from @blob. */
int kml_blob_load(struct kml_model *m, size_t size, const void *blob,
		  size_t len);

const char *kml_blob_strerror(int err);

/* zlib's CRC-32: pass 0 to start, or a previous result to continue. */
u32 kml_crc32(u32 crc, const void *buf, size_t len);

#endif /* KML_BLOB_H */
