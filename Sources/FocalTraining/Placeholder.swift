import FocalCore
