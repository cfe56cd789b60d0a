// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Inference: standardize the features, then run the layers in turn. */
#include <kml/model.h>

void kml_model_predict(const struct kml_model *m, const s32 *x, s32 *y,
		       struct kml_work *work)
{
	const s32 *in = work->buf[0];
	u32 l;

	kml_standardize(x, m->mean, m->inv_std, work->buf[0], m->n_in);
	for (l = 0; l < m->n_layers; l++) {
		const struct kml_layer *ly = &m->layer[l];
		/* hidden layers alternate between the two work buffers */
		s32 *out = l + 1 == m->n_layers ? y : work->buf[(l + 1) & 1];

		if (ly->w8)
			kml_matvec_i8(ly->w8, &ly->scale, ly->bias, in, out,
				      ly->n_out, ly->n_in);
		else
			kml_matvec(ly->w, ly->bias, in, out, ly->n_out,
				   ly->n_in);
		kml_activate(out, ly->n_out, ly->act);
		in = out;
	}
}
