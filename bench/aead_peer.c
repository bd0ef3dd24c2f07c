/* Copyright (c) 2026 The sealpipe authors.
   Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).

   The peer of `sealpipe aead seal/open` for scripts/bench-tool: the same work as a plain C
   program on BoringSSL's EVP_AEAD (AES-256-GCM-SIV). Reads all of stdin (one buffer of the
   file's size when stdin is a regular file, else grown as it comes), seals or opens it into a
   second buffer, writes that to stdout.
   Usage: aead_peer seal|open KEY_HEX NONCE_HEX   (a 32-byte key, a 12-byte nonce) */

#include <openssl/aead.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int unhex(const char* s, unsigned char* out, size_t n) {
    if (strlen(s) != 2 * n) return 0;
    for (size_t i = 0; i < n; ++i) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1) return 0;
        out[i] = (unsigned char)v;
    }
    return 1;
}

static void die(const char* what) {
    fprintf(stderr, "aead_peer: %s\n", what);
    exit(2);
}

int main(int argc, char** argv) {
    unsigned char key[32], nonce[12];
    if (argc != 4 || !unhex(argv[2], key, 32) || !unhex(argv[3], nonce, 12)) die("usage: aead_peer seal|open KEY NONCE");
    const int seal = strcmp(argv[1], "seal") == 0;

    size_t cap = 1 << 20, len = 0;
    struct stat st;
    if (fstat(0, &st) == 0 && S_ISREG(st.st_mode)) cap = (size_t)st.st_size + 1;
    unsigned char* in = malloc(cap);
    if (!in) die("out of memory");
    for (;;) {
        if (len == cap) {
            cap *= 2;
            in = realloc(in, cap);
            if (!in) die("out of memory");
        }
        ssize_t n = read(0, in + len, cap - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("read failed");
        if (n == 0) break;
        len += (size_t)n;
    }

    EVP_AEAD_CTX* ctx = EVP_AEAD_CTX_new(EVP_aead_aes_256_gcm_siv(), key, sizeof key, EVP_AEAD_DEFAULT_TAG_LENGTH);
    if (!ctx) die("EVP_AEAD_CTX_new failed");
    const size_t max_out = len + 16;
    unsigned char* out = malloc(max_out ? max_out : 1);
    if (!out) die("out of memory");
    size_t out_len = 0;
    const int ok = seal ? EVP_AEAD_CTX_seal(ctx, out, &out_len, max_out, nonce, sizeof nonce, in, len, NULL, 0)
                        : EVP_AEAD_CTX_open(ctx, out, &out_len, max_out, nonce, sizeof nonce, in, len, NULL, 0);
    if (!ok) die(seal ? "seal failed" : "open failed");
    for (size_t done = 0; done < out_len;) {
        ssize_t n = write(1, out + done, out_len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("write failed");
        done += (size_t)n;
    }
    EVP_AEAD_CTX_free(ctx);
    free(out);
    free(in);
    return 0;
}
