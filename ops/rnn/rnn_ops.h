// The operators of the rnn family, one register function per kernel file.
#pragma once

#include "onyx/registry.h"

namespace onyx {

void register_rnn_op(Registry& registry);  // rnn.cc: RNN
void register_gru(Registry& registry);     // gru.cc: GRU
void register_lstm(Registry& registry);    // lstm.cc: LSTM

}  // namespace onyx
