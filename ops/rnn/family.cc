// The rnn family: recurrent layers RNN, GRU and LSTM (shared plumbing in rnn_common.h).
#include "common/families.h"
#include "rnn/rnn_ops.h"

namespace onyx {

void register_rnn(Registry& registry) {
  register_rnn_op(registry);
  register_gru(registry);
  register_lstm(registry);
}

}  // namespace onyx
