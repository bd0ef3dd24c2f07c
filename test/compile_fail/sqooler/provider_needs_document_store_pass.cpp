// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of provider_needs_document_store_fail.cpp: a provider over sqooler's folder layout compiles.
#include <sealpipe/sqooler/provider.hpp>

int main() {
    sealpipe::sqooler::Provider<sealpipe::sqooler::FolderDocuments> provider{sealpipe::sqooler::FolderDocuments{"/tmp"}};
    (void)provider;
}
