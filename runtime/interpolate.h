/* Bilinear resizing of float planes, as PyTorch's
 * F.interpolate(x, size=(H, W), mode='bilinear', align_corners=False,
 * antialias=False): output pixel (y, x) samples the input at
 * ((y + 0.5) * in_h / out_h - 0.5, likewise x), clamped at 0 below and at
 * the last row or column above, from its 2x2 neighbours (positions in
 * double, weights in float, as PyTorch's CPU kernel).
 * Used to feed a distillation teacher of another input size the student's
 * normalized batch (a linear map, so it commutes with renormalizing). */
#ifndef NN_INTERPOLATE_H
#define NN_INTERPOLATE_H

/* One in_h x in_w plane into an out_h x out_w plane. */
void nn_interpolate_bilinear(const float *in, int in_h, int in_w, float *out, int out_h, int out_w);

#endif
