package anxin

import "time"

// ReplyNorm is the platform's service norm for answering a buyer: a
// person's first reply within 3 minutes (the 3-minute reply rate, 3分钟回复率).
const ReplyNorm = 3 * time.Minute
