#include "common.h"
__kernel void bytes_shorts(__global uchar *b, __global short *s, __global const char *a, __global const ushort *u) {
  size_t i = get_global_id(0);
  char x = a[i];
  ushort y = u[i];
  b[i] = (uchar)(x * 3 + (y >> 4));
  s[i] = (short)(y * x) - (short)(y >> 1);
}
